"""A tiny site for tests/test_demo_check.py: a home page linking to a page that fails and to one that works."""

from django.http import HttpResponse
from django.urls import path


def home(request):
    return HttpResponse('<a href="/fine/?page=2">fine</a> <a href="http://elsewhere.example/">away</a> '
                        '<a href="boom/">boom</a>', content_type="text/html")


def fine(request):
    return HttpResponse('<a href="/">home</a>', content_type="text/html")


def boom(request):
    raise RuntimeError("the demo page broke")


urlpatterns = [path("", home, name="home"), path("fine/", fine, name="fine"), path("boom/", boom, name="boom")]
