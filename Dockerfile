# One image for every Reelforge process; docker-compose.yml picks the process with `command`.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg espeak-ng fontconfig fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-symbola \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 reelforge

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir --disable-pip-version-check -r requirements.lock
COPY libs libs
COPY services services

ENV PYTHONUNBUFFERED=1 \
    REELFORGE_HOST=0.0.0.0 \
    REELFORGE_VAR_DIR=/home/reelforge/var
USER reelforge
CMD ["python", "-m", "services.gateway"]
