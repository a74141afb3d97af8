# syntax=docker/dockerfile:1
# Build a static binary, then ship it alone in a distroless image that runs as non-root.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /campaignbot .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /campaignbot /campaignbot
USER nonroot:nonroot
# Exec form, so SIGTERM reaches the bot and it shuts down in order.
ENTRYPOINT ["/campaignbot"]
