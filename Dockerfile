# Build the casetrail binary; the image runs `worker` or `api` (or `serve`).
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/casetrail ./cmd/casetrail

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 casetrail
COPY --from=build /out/casetrail /usr/local/bin/casetrail
COPY config /etc/casetrail
# The data dir, and the keys directory compose mounts a shared volume on,
# belong to the user the process runs as (a new volume takes this owner).
RUN mkdir -p /var/lib/casetrail/keys && chown -R casetrail /var/lib/casetrail && chmod 700 /var/lib/casetrail/keys
USER casetrail
ENV CASETRAIL_DATA_DIR=/var/lib/casetrail
EXPOSE 8080
ENTRYPOINT ["casetrail"]
CMD ["serve"]
