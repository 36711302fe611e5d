# oldguard sidecar image: docker build -t oldguard:0.1.0 .
#
# The build stage runs scripts/image-root.sh, which assembles the image's whole file tree (a jlink'd Java 25
# runtime, the sidecar's jar and libraries, the example configuration); the runtime stage only copies that tree.
# The same script builds the same tree without Docker, where ImageTreeIT runs it read-only as a non-root user.

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml ./
COPY src ./src
COPY scripts ./scripts
COPY wsdl ./wsdl
COPY policies ./policies
COPY deploy/kubernetes/sidecar.yaml ./deploy/kubernetes/
RUN bash scripts/image-root.sh /image-root

# glibc and nothing else: no shell, no package manager. jlink's runtime needs only libc, libm, libdl, libpthread
# and librt (zlib is built in).
FROM gcr.io/distroless/base-nossl-debian12:nonroot
COPY --from=build /image-root/opt/ /opt/
COPY --from=build /image-root/etc/ /etc/
# The one writable place (mount a volume here; halted agents survive restarts); the rest can be read-only.
COPY --from=build --chown=65532:65532 /image-root/var/lib/oldguard/ /var/lib/oldguard/
VOLUME /var/lib/oldguard
USER 65532:65532
EXPOSE 8080 9901
ENTRYPOINT ["/opt/oldguard/runtime/bin/java", "@/opt/oldguard/jvm.options", "-jar", "/opt/oldguard/oldguard.jar"]
CMD ["run", "--config", "/etc/oldguard/config/sidecar.yaml"]
