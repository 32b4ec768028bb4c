using System.Globalization;
using MeshProxy.LoadBalancing;

namespace MeshProxy.Configuration.Yaml;

/// <summary>Reads a cluster's <c>loadBalancer:</c> mapping. Range rules live here; cross-field rules in LoadBalancerValidator.</summary>
internal static class LoadBalancerConfigReader
{
    public static LoadBalancerConfig Read(YamlMappingReader map)
    {
        var defaults = LoadBalancerConfig.Default;
        var config = new LoadBalancerConfig
        {
            OverprovisioningFactor = map.Int("overprovisioningFactor", defaults.OverprovisioningFactor, 1, 100_000),
            PanicThreshold = map.Int("panicThreshold", defaults.PanicThreshold, 0, 100),
            FailTrafficOnPanic = map.Bool("failTrafficOnPanic", false),
            WeightedPriorityHealth = map.Bool("weightedPriorityHealth", false),
            LocalityLb = map.Enum("localityLb", LocalityLbMode.None),
            ZoneAware = map.Mapping("zoneAware") is { } zoneAware ? ReadZoneAware(zoneAware) : null,
            LocalityPriorities = map.Mapping("localityPriorities") is { } priorities ? ReadLocalityPriorities(priorities) : null,
            Distribute = map.MappingList("distribute", ReadDistribute),
            LeastRequest = map.Mapping("leastRequest") is { } leastRequest ? ReadLeastRequest(leastRequest) : null,
            Hash = map.Mapping("hash") is { } hash ? ReadHash(hash) : null,
            RingHash = map.Mapping("ringHash") is { } ringHash ? ReadRingHash(ringHash) : null,
            Maglev = map.Mapping("maglev") is { } maglev ? ReadMaglev(maglev) : null,
        };
        map.ReportUnknownKeys();
        return config;
    }

    private static ZoneAwareConfig ReadZoneAware(YamlMappingReader map)
    {
        var config = new ZoneAwareConfig
        {
            RoutingEnabled = map.Int("routingEnabled", ZoneAwareConfig.Default.RoutingEnabled, 0, 100),
            MinClusterSize = map.Int("minClusterSize", ZoneAwareConfig.Default.MinClusterSize, 0, int.MaxValue),
        };
        map.ReportUnknownKeys();
        return config;
    }

    private static LocalityPrioritiesConfig ReadLocalityPriorities(YamlMappingReader map)
    {
        var config = new LocalityPrioritiesConfig
        {
            Enabled = map.Bool("enabled", false),
            FailoverPriority = map.List("failoverPriority", item => item.AsString() is { } key && CheckLabelKey(item, key) ? key : null),
        };
        map.ReportUnknownKeys();
        return config;
    }

    private static bool CheckLabelKey(YamlNodeReader item, string key)
    {
        var name = key.Split('=', 2)[0];
        if (name.Length == 0)
        {
            item.Error($"'{key}' needs a label name before any '='");
            return false;
        }
        return true;
    }

    private static LocalityDistributeConfig ReadDistribute(YamlMappingReader map)
    {
        var from = map.RequiredString("from");
        if (from.Length > 0 && LocalityPattern.Validate(from) is { } fromError)
        {
            map.Diagnostics.Error(map.ChildPath("from"), fromError);
        }
        var to = new List<KeyValuePair<string, int>>();
        foreach (var (pattern, text) in map.StringMap("to"))
        {
            var path = map.ChildPath("to") + "." + pattern;
            if (LocalityPattern.Validate(pattern) is { } patternError)
            {
                map.Diagnostics.Error(path, patternError);
            }
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var weight) || weight is < 1 or > 100)
            {
                map.Diagnostics.Error(path, $"'{text}' is not a percent from 1 to 100");
                continue;
            }
            to.Add(new(pattern, weight));
        }
        if (!map.Has("to"))
        {
            map.Diagnostics.Error(map.ChildPath("to"), "is required: a mapping of locality pattern to percent");
        }
        map.ReportUnknownKeys();
        return new LocalityDistributeConfig { From = from, To = to.ToArray() };
    }

    private static LeastRequestConfig ReadLeastRequest(YamlMappingReader map)
    {
        var defaults = LeastRequestConfig.Default;
        var config = new LeastRequestConfig
        {
            ChoiceCount = map.Int("choiceCount", defaults.ChoiceCount, 2, 100),
            ActiveRequestBias = ReadDouble(map, "activeRequestBias", defaults.ActiveRequestBias, 0, 100),
        };
        map.ReportUnknownKeys();
        return config;
    }

    private static HashPolicyConfig ReadHash(YamlMappingReader map)
    {
        var config = new HashPolicyConfig
        {
            Header = map.OptionalString("header"),
            Cookie = map.OptionalString("cookie"),
            SourceIp = map.Bool("sourceIp", false),
        };
        var chosen = (config.Header is null ? 0 : 1) + (config.Cookie is null ? 0 : 1) + (config.SourceIp ? 1 : 0);
        if (chosen != 1)
        {
            map.Error("set exactly one of header, cookie or sourceIp: true");
        }
        map.ReportUnknownKeys();
        return config;
    }

    private static RingHashConfig ReadRingHash(YamlMappingReader map)
    {
        var defaults = RingHashConfig.Default;
        var config = new RingHashConfig
        {
            MinimumRingSize = map.Int("minimumRingSize", defaults.MinimumRingSize, 1, defaults.MaximumRingSize),
            MaximumRingSize = map.Int("maximumRingSize", defaults.MaximumRingSize, 1, defaults.MaximumRingSize),
        };
        if (config.MinimumRingSize > config.MaximumRingSize)
        {
            map.Error($"minimumRingSize ({config.MinimumRingSize}) is larger than maximumRingSize ({config.MaximumRingSize})");
        }
        map.ReportUnknownKeys();
        return config;
    }

    private static MaglevConfig ReadMaglev(YamlMappingReader map)
    {
        var tableSize = map.Int("tableSize", MaglevConfig.Default.TableSize, 2, 5_000_011);
        if (!IsPrime(tableSize))
        {
            map.Diagnostics.Error(map.ChildPath("tableSize"), $"{tableSize} is not a prime number (Maglev needs one; the default is 65537)");
        }
        map.ReportUnknownKeys();
        return new MaglevConfig { TableSize = tableSize };
    }

    private static bool IsPrime(int value)
    {
        if (value < 2)
        {
            return false;
        }
        for (var divisor = 2; (long)divisor * divisor <= value; divisor++)
        {
            if (value % divisor == 0)
            {
                return false;
            }
        }
        return true;
    }

    private static double ReadDouble(YamlMappingReader map, string key, double defaultValue, double min, double max)
    {
        if (map.Take(key) is not { } reader || reader.AsString() is not { } text)
        {
            return defaultValue;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            reader.Error($"'{text}' is not a number");
            return defaultValue;
        }
        if (value < min || value > max)
        {
            reader.Error($"{text} is out of range ({min} to {max})");
            return defaultValue;
        }
        return value;
    }
}
