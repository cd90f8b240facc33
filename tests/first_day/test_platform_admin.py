"""The platform administrator (no local authority) is sent to /platform/ from the home page, and a council's
page tells them where their work is instead of a dead-end 403 (issue #19)."""

from earlyhelp.models import User


def test_the_platform_admin_lands_on_platform_administration(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x" * 14))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/platform/"
    refused = client.get("/cases/")
    assert refused.status_code == 403
    assert 'href="/platform/"' in refused.content.decode()


def test_a_user_without_a_membership_is_not_offered_the_platform(client, db):
    client.force_login(User.objects.create_user("nobody", "n@example.org", "x" * 14))
    response = client.get("/")
    assert response.status_code == 403 and "/platform/" not in response.content.decode()
