# syndication: the scheduler (or any command) from the built wheel, with the S3
# and PostgreSQL extras. See compose.yaml for a deployment on PostgreSQL and MinIO.
#
#   docker build -t syndication .
#   docker run --rm -v "$PWD/deploy:/etc/syndication:ro" syndication config show

ARG PYTHON_IMAGE=python:3.11-slim

# -- 1: build the wheel from the project's own files -------------------------------
FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /src
COPY pyproject.toml README.md LICENSE MANIFEST.in ./
COPY schemas ./schemas
COPY syndication ./syndication
RUN pip install --no-cache-dir --disable-pip-version-check "setuptools>=77" \
    && pip wheel --no-cache-dir --disable-pip-version-check --no-deps \
       --no-build-isolation --wheel-dir /dist .

# -- 2: install it, with both extras, into a clean image ---------------------------
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SYNDICATION_CONFIG=/etc/syndication/syndication.toml
COPY --from=wheel /dist/ /tmp/dist/
# Our own wheel; its dependencies are bounded in pyproject.toml.
# hadolint ignore=DL3013
RUN wheel="$(ls /tmp/dist/syndication-*.whl)" \
    && pip install --no-cache-dir "${wheel}[s3,postgres,queue]" \
    && rm -rf /tmp/dist \
    && groupadd --system --gid 10001 syndication \
    && useradd --system --uid 10001 --gid 10001 --create-home \
       --home-dir /srv/syndication syndication \
    && syndication --version
USER 10001:10001
WORKDIR /srv/syndication
# The scheduler finishes the publish in progress on SIGTERM; give it time.
STOPSIGNAL SIGTERM
ENTRYPOINT ["syndication"]
CMD ["scheduler"]
