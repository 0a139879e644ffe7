# The Tollgate image: API, worker and scheduler share it (docker-compose.yml picks the command).
# It holds the installed wheel and nothing else: no settings, no secrets, no emulator, no tests. The
# deployment gives the settings file (/etc/tollgate/settings.toml, or $TOLLGATE_SETTINGS) and the
# bootstrap secrets (TOLLGATE_<KEY>_FILE, Docker secrets); tenant secrets come from Vault.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core ./core
COPY plugins ./plugins
COPY tenants ./tenants
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels

RUN useradd --create-home tollgate
USER tollgate
# A working directory without a settings.toml: the settings are looked for in /etc/tollgate.
WORKDIR /home/tollgate
# 8000: the API; 9100 and 9101: the metrics ports of `tollgate run` and `tollgate worker` (operators only).
EXPOSE 8000 9100 9101
CMD ["tollgate", "run", "--host", "0.0.0.0", "--no-migrate"]
