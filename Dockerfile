# The Tollgate image: API, worker and scheduler share it (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY core ./core
COPY plugins ./plugins
COPY tenants ./tenants
RUN pip install .

COPY settings.toml .secrets.toml ./

RUN useradd --create-home tollgate && mkdir -p /app/var && chown tollgate /app/var
USER tollgate
EXPOSE 8000
CMD ["tollgate", "run", "--host", "0.0.0.0", "--no-migrate"]
