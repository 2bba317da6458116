# channelguard in a container: a static binary on Alpine with git.
#
#   docker build -t channelguard .
#   docker run --rm -v "$PWD:/repo" channelguard scan
#
# The build stage builds as the README and .goreleaser.yaml do (-tags
# gore2regex, CGO_ENABLED=0); internal/release checks that the three agree.

FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -tags gore2regex \
	-ldflags "-s -w -X main.version=${VERSION}" \
	-o /out/channelguard ./cmd/channelguard

FROM alpine:3.22
# git: channelguard reads repositories through it. A repository mounted
# from the host belongs to another user than the one below, and git refuses
# such a repository ("dubious ownership") unless the system config says it
# is safe: the container exists to scan what is mounted into it.
RUN apk add --no-cache git ca-certificates \
	&& git config --system --add safe.directory '*' \
	&& adduser -D -u 10001 -h /home/channelguard channelguard
COPY --from=build /out/channelguard /usr/local/bin/channelguard
USER 10001
WORKDIR /repo
ENTRYPOINT ["channelguard"]
CMD ["scan"]
