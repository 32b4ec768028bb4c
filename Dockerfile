# meshproxy: multi-stage build. The SDK stage publishes; the runtime stage runs it as uid 1337, the uid that
# the capture rules (iptables/) exclude so the proxy's own traffic is never redirected back to itself.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
ARG PUBLISH_OUT=/app
RUN dotnet publish src/MeshProxy/MeshProxy.csproj -c Release -o "$PUBLISH_OUT" -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN groupadd --gid 1337 meshproxy && useradd --uid 1337 --gid 1337 --no-create-home --shell /usr/sbin/nologin meshproxy
COPY --from=build /app /opt/meshproxy
USER 1337:1337
# 15000 admin (localhost only), 15001 outbound capture, 15006 inbound capture, 15021 readiness, 15090 metrics.
EXPOSE 15000 15001 15006 15021 15090
ENTRYPOINT ["dotnet", "/opt/meshproxy/meshproxy.dll", "run"]
