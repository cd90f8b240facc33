# Early Help — one image for web (gunicorn), worker and beat (Celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=off VAR_DIR=/var/lib/earlyhelp STATIC_ROOT=/app/staticfiles

# WeasyPrint needs Pango and HarfBuzz; fonts for reports; libpq for psycopg's client tools.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core fonts-liberation postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY earlyhelp ./earlyhelp
COPY commissioning ./commissioning
COPY cases ./cases
COPY outcomes ./outcomes
COPY reporting ./reporting
RUN pip install .
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 earlyhelp && mkdir -p /var/lib/earlyhelp && chown earlyhelp /var/lib/earlyhelp
USER earlyhelp
EXPOSE 8000
CMD ["gunicorn", "earlyhelp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
