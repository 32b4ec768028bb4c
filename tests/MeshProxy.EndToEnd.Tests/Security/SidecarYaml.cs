using System.Net;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>The two sides of a mesh hop: a client sidecar originating mTLS, a server sidecar terminating it.</summary>
internal static class SidecarYaml
{
    /// <summary>
    /// An inbound listener in <paramref name="mode"/>: HTTP to <paramref name="http"/>, anything else to
    /// <paramref name="tcp"/>, with the given identity and authorization policies.
    /// </summary>
    public static string Server(SvidFiles identity, IPEndPoint http, IPEndPoint tcp, string mode = "strict", string authorization = "", bool federated = false) => $$"""
        listeners:
          - name: inbound
            address: 127.0.0.1:0
            trafficDirection: inbound
            tls: { mode: {{mode}} }
            http: { routeTable: local }
            tcp: { cluster: local-tcp }
        routeTables:
          - name: local
            virtualHosts:
              - name: all
                domains: ["*"]
                routes:
                  - match: { prefix: / }
                    cluster: local-http
        clusters:
          - name: local-http
            httpProtocol: http1
            endpoints:
              - address: {{http}}
          - name: local-tcp
            endpoints:
              - address: {{tcp}}
        {{identity.IdentityYaml(federated)}}
        {{authorization}}
        """;

    /// <summary>An outbound listener sending HTTP and TCP over mTLS to <paramref name="server"/>, which must prove it is <paramref name="serverId"/>.</summary>
    public static string Client(SvidFiles identity, IPEndPoint server, string serverId, string httpProtocol = "downstream") => $$"""
        listeners:
          - name: outbound
            address: 127.0.0.1:0
            http: { routeTable: mesh }
            tcp: { cluster: server }
        routeTables:
          - name: mesh
            virtualHosts:
              - name: all
                domains: ["*"]
                routes:
                  - match: { prefix: / }
                    cluster: server
        clusters:
          - name: server
            httpProtocol: {{httpProtocol}}
            tls:
              mode: istioMutual
              serverIds: ["{{serverId}}"]
            endpoints:
              - address: {{server}}
        {{identity.IdentityYaml()}}
        """;
}
