# Email-Engine V2 production image: API on port 8000, runs as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props EmailEngine.slnx ./
COPY src/EmailEngine/EmailEngine.csproj src/EmailEngine/
COPY src/SimulationClock/SimulationClock.csproj src/SimulationClock/
RUN dotnet restore src/EmailEngine/EmailEngine.csproj
COPY src/ src/
RUN dotnet publish src/EmailEngine/EmailEngine.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN groupadd --system engine && useradd --system --gid engine --home-dir /app --shell /usr/sbin/nologin engine \
 && printf '#!/bin/sh\nexec dotnet /app/EmailEngine.dll "$@"\n' > /usr/local/bin/email-engine \
 && chmod 755 /usr/local/bin/email-engine \
 && printf '#!/bin/sh\n# The runbook says "alembic upgrade head": this image has no Alembic; the same step is email-engine migrate.\n[ "$*" = "upgrade head" ] && exec email-engine migrate\necho "alembic: only \"alembic upgrade head\" is supported here (it runs email-engine migrate)" >&2; exit 2\n' > /usr/local/bin/alembic \
 && chmod 755 /usr/local/bin/alembic \
 && mkdir -p /app/data && chown engine:engine /app/data
WORKDIR /app
COPY --from=build /app ./
USER engine
ENV PORT=8000 DOTNET_NOLOGO=1 EMAIL_ENGINE_HOME=/app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=5 CMD ["dotnet", "/app/EmailEngine.dll", "healthcheck"]
ENTRYPOINT ["email-engine"]
CMD ["serve"]
