# floor: multi-stage build; the runtime image holds only the binary and
# runs as an unprivileged user with its data on a volume.
FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p floor

FROM debian:bookworm-slim AS runtime
RUN useradd --system --uid 10001 --home-dir /var/lib/floor --create-home floor
COPY --from=build /src/target/release/floor /usr/local/bin/floor
USER 10001
WORKDIR /var/lib/floor
ENV FLOOR_LISTEN=0.0.0.0:8080 \
    FLOOR_DATA=/var/lib/floor
VOLUME ["/var/lib/floor"]
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["floor"]
CMD ["serve", "--demo"]
