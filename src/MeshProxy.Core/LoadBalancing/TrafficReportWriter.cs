using System.Globalization;
using System.Text.Json;
using MeshProxy.Configuration;

namespace MeshProxy.LoadBalancing;

/// <summary>Prints traffic reports as indented text (percent, 4 decimals) or as JSON (fractions of 1, full precision).</summary>
public static class TrafficReportWriter
{
    public static void WriteText(TextWriter writer, IReadOnlyList<(string Cluster, TrafficReport Report)> reports)
    {
        foreach (var (name, report) in reports)
        {
            var panic = report.Priorities.Where(p => p.Panic).Select(p => "P" + p.Priority).ToArray();
            writer.WriteLine($"cluster {name} ({report.Policy}): normalized total availability {report.NormalizedTotalAvailability}%{(report.TotalPanic ? ", TOTAL PANIC" : "")}, in panic: {(panic.Length == 0 ? "none" : string.Join(", ", panic))}");
            foreach (var priority in report.Priorities)
            {
                writer.WriteLine($"  priority {priority.Priority}: {Percent(priority.Share)} (load {priority.Load}% = healthy {priority.HealthyLoad} + degraded {priority.DegradedLoad}; " +
                    $"health {priority.Health}, degraded {priority.DegradedAvailability}; hosts {priority.Hosts}: {priority.HealthyHosts} healthy, {priority.DegradedHosts} degraded, {priority.ExcludedHosts} excluded){(priority.Panic ? " PANIC" : "")}");
                foreach (var locality in priority.Localities)
                {
                    writer.WriteLine($"    locality {Name(locality.Locality)} (weight {locality.Weight}): {Percent(locality.Share)}");
                    foreach (var endpoint in locality.Endpoints)
                    {
                        writer.WriteLine($"      {endpoint.Endpoint.Address} {Camel(endpoint.Health)}{(endpoint.Excluded ? " excluded" : "")} weight {endpoint.Endpoint.Weight}: {Percent(endpoint.Share)}");
                    }
                }
            }
            writer.WriteLine($"  no host (503): {Percent(report.Unrouted)}");
        }
    }

    public static void WriteJson(Utf8JsonWriter json, IReadOnlyList<(string Cluster, TrafficReport Report)> reports)
    {
        json.WriteStartObject();
        json.WriteStartArray("clusters");
        foreach (var (name, report) in reports)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("lbPolicy", report.Policy);
            json.WriteNumber("normalizedTotalAvailability", report.NormalizedTotalAvailability);
            json.WriteBoolean("totalPanic", report.TotalPanic);
            json.WriteStartArray("panicPriorities");
            foreach (var priority in report.Priorities.Where(p => p.Panic))
            {
                json.WriteNumberValue(priority.Priority);
            }
            json.WriteEndArray();
            json.WriteNumber("unrouted", report.Unrouted);
            json.WriteStartArray("priorities");
            foreach (var priority in report.Priorities)
            {
                WritePriority(json, priority);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePriority(Utf8JsonWriter json, TrafficReport.PriorityTraffic priority)
    {
        json.WriteStartObject();
        json.WriteNumber("priority", priority.Priority);
        json.WriteNumber("share", priority.Share);
        json.WriteNumber("load", priority.Load);
        json.WriteNumber("healthyLoad", priority.HealthyLoad);
        json.WriteNumber("degradedLoad", priority.DegradedLoad);
        json.WriteNumber("health", priority.Health);
        json.WriteNumber("degradedAvailability", priority.DegradedAvailability);
        json.WriteBoolean("panic", priority.Panic);
        json.WriteNumber("hosts", priority.Hosts);
        json.WriteNumber("healthyHosts", priority.HealthyHosts);
        json.WriteNumber("degradedHosts", priority.DegradedHosts);
        json.WriteNumber("excludedHosts", priority.ExcludedHosts);
        json.WriteStartArray("localities");
        foreach (var locality in priority.Localities)
        {
            json.WriteStartObject();
            json.WriteString("locality", Name(locality.Locality));
            json.WriteNumber("weight", locality.Weight);
            json.WriteNumber("share", locality.Share);
            json.WriteStartArray("endpoints");
            foreach (var endpoint in locality.Endpoints)
            {
                json.WriteStartObject();
                json.WriteString("address", endpoint.Endpoint.Address.ToString());
                json.WriteString("health", Camel(endpoint.Health));
                json.WriteBoolean("excluded", endpoint.Excluded);
                json.WriteNumber("weight", endpoint.Endpoint.Weight);
                json.WriteNumber("share", endpoint.Share);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Percent(double share) => (share * 100).ToString("0.0000", CultureInfo.InvariantCulture) + "%";

    private static string Name(LocalityConfig locality) => locality == LocalityConfig.None ? "(none)" : locality.ToString();

    private static string Camel(EndpointHealth health) => health.ToString().ToLowerInvariant();
}
