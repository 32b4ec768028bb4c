using System.Text.Json;
using MeshProxy.Configuration;
using MeshProxy.Utilities;

namespace MeshProxy.Admin;

/// <summary>The security parts of /config_dump (identity, TLS modes, authorization), in the YAML's names.</summary>
internal static class SecurityDumpWriter
{
    public static void WriteIdentityAndAuthorization(Utf8JsonWriter json, ProxyConfig config)
    {
        json.WriteStartObject("identity");
        if (config.Identity.Files is { } files)
        {
            json.WriteStartObject("files");
            json.WriteString("certificateChain", files.CertificateChain);
            json.WriteString("privateKey", files.PrivateKey);
            json.WriteString("bundle", files.Bundle);
            json.WriteString("federatedBundles", files.FederatedBundles);
            json.WriteEndObject();
        }
        if (config.Identity.WorkloadApi is { } api)
        {
            json.WriteStartObject("workloadApi");
            json.WriteString("socket", api.Socket);
            json.WriteEndObject();
        }
        json.WriteEndObject();

        json.WriteStartArray("authorization");
        foreach (var policy in config.Authorization)
        {
            json.WriteStartObject();
            json.WriteString("name", policy.Name);
            json.WriteString("action", ConfigDumpWriter.Camel(policy.Action));
            json.WriteStartArray("rules");
            foreach (var rule in policy.Rules)
            {
                json.WriteStartObject();
                json.WriteStartArray("from");
                foreach (var source in rule.From)
                {
                    json.WriteStartObject();
                    Strings(json, "principals", source.Principals);
                    Strings(json, "notPrincipals", source.NotPrincipals);
                    Strings(json, "namespaces", source.Namespaces);
                    Strings(json, "notNamespaces", source.NotNamespaces);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("to");
                foreach (var operation in rule.To)
                {
                    json.WriteStartObject();
                    Numbers(json, "ports", operation.Ports);
                    Numbers(json, "notPorts", operation.NotPorts);
                    Strings(json, "methods", operation.Methods);
                    Strings(json, "notMethods", operation.NotMethods);
                    Strings(json, "paths", operation.Paths);
                    Strings(json, "notPaths", operation.NotPaths);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static void WriteDownstreamTls(Utf8JsonWriter json, DownstreamTlsConfig? tls)
    {
        if (tls is not null)
        {
            json.WriteStartObject("tls");
            json.WriteString("mode", ConfigDumpWriter.Camel(tls.Mode));
            json.WriteEndObject();
        }
    }

    /// <summary>The cluster's tls section, with the SNI it actually sends (Istio's default name when none is set).</summary>
    public static void WriteUpstreamTls(Utf8JsonWriter json, ClusterConfig cluster)
    {
        if (cluster.Tls is { } tls)
        {
            json.WriteStartObject("tls");
            json.WriteString("mode", ConfigDumpWriter.Camel(tls.Mode));
            Strings(json, "serverIds", tls.ServerIds);
            Strings(json, "trustDomains", tls.TrustDomains);
            json.WriteString("sni", Security.UpstreamTlsConnector.ServerName(cluster, tls));
            json.WriteEndObject();
        }
    }

    private static void Strings(Utf8JsonWriter json, string name, EquatableArray<string> values) => Array(json, name, values, json.WriteStringValue);

    private static void Numbers(Utf8JsonWriter json, string name, EquatableArray<int> values) => Array(json, name, values, json.WriteNumberValue);

    // Empty lists are left out, as they are in the YAML.
    private static void Array<T>(Utf8JsonWriter json, string name, EquatableArray<T> values, Action<T> write)
        where T : IEquatable<T>
    {
        if (values.IsEmpty)
        {
            return;
        }
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            write(value);
        }
        json.WriteEndArray();
    }
}
