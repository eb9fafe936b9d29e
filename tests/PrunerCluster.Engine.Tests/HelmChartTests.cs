using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Engine.Tests.Helm;
using YamlDotNet.RepresentationModel;
using static PrunerCluster.Engine.Tests.Helm.ChartRenderer;
using static PrunerCluster.Engine.Tests.Helm.YamlPaths;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// Validates helm/prunercluster without Helm or Kubernetes: every template renders (expressions it can resolve
/// substituted from values.yaml, if/with/range taken by their values) to YAML that parses; every .Values path a template
/// uses exists in values.yaml and in values.schema.json; and the ports, environment variables and probe paths the pods
/// get are the ones the silo reads and serves (taken from its options classes and constants, not copied here).
/// </summary>
[Trait("Category", "Unit")]
public sealed class HelmChartTests
{
    private static readonly string Chart = ChartRenderer.Chart;

    [Fact]
    public void Every_values_path_used_by_a_template_exists_in_values_yaml_and_in_the_schema()
    {
        var values = LoadValues();
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Chart, "values.schema.json")));
        var used = TemplateFiles().SelectMany(f => ChartRenderer.ValuesPath().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Path: m.Groups[1].Value))).ToList();
        Assert.NotEmpty(used);
        foreach (var (file, path) in used)
        {
            Assert.True(Lookup(values, path, out _), $"{file}: .Values{path} is not in values.yaml");
            Assert.True(SchemaHas(schema.RootElement, path), $"{file}: .Values{path} is not in values.schema.json");
        }
    }

    [Fact]
    public void Values_yaml_and_the_schema_describe_the_same_keys()
    {
        var values = LoadValues();
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Chart, "values.schema.json")));
        foreach (var path in Leaves(values, ""))
        {
            Assert.True(SchemaHas(schema.RootElement, path), $"values.yaml key {path} is not in values.schema.json");
        }

        foreach (var path in SchemaPaths(schema.RootElement, ""))
        {
            Assert.True(Lookup(values, path, out _), $"values.schema.json property {path} has no default in values.yaml");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Templates_render_to_valid_yaml_whose_pods_match_what_the_silo_reads_and_serves(bool everythingOn)
    {
        var values = LoadValues();
        if (everythingOn)
        {
            foreach (var key in new[] { ".coordinators.enabled", ".postgresql.enabled", ".experiment.enabled", ".dashboard.enabled", ".tls.enabled" })
            {
                Set(values, key, "true");
            }

            Set(values, ".tls.secretName", "prunercluster-tls");

            Set(values, ".telemetry.otlpEndpoint", "http://otel-collector:4317");
            foreach (var key in new[] { ".limits.perClient.maxActiveExperiments", ".limits.perClient.maxPopulation", ".limits.perClient.maxEvaluations" })
            {
                Set(values, key, "2");
            }
        }

        var documents = RenderAll(values);
        var kinds = documents.Select(d => Scalar(d, "kind")).ToList();
        Assert.Contains("StatefulSet", kinds);
        Assert.Contains("Service", kinds);
        Assert.Contains("PodDisruptionBudget", kinds);
        Assert.Contains("Job", kinds);
        Assert.DoesNotContain("Ingress", kinds);
        if (everythingOn)
        {
            Assert.Contains("Deployment", kinds);
            Assert.Contains("ConfigMap", kinds);
            Assert.Contains("Secret", kinds);
        }

        // Nothing leaves the cluster by default: every Service is ClusterIP (or headless).
        foreach (var service in documents.Where(d => Scalar(d, "kind") == "Service"))
        {
            var type = Scalar(service, "spec", "type");
            Assert.True(type is null or "ClusterIP", $"Service {Scalar(service, "metadata", "name")} is {type}");
        }

        var known = KnownEnvironmentVariables();
        var silos = documents.Where(d => Scalar(d, "kind") is "StatefulSet" or "Deployment" && Scalar(d, "metadata", "name")!.EndsWith("-silo", StringComparison.Ordinal) || Scalar(d, "metadata", "name")!.EndsWith("-coordinator", StringComparison.Ordinal)).ToList();
        Assert.Equal(everythingOn ? 2 : 1, silos.Count);
        foreach (var workload in silos)
        {
            var pod = Node(workload, "spec", "template", "spec")!;
            var container = Assert.IsType<YamlMappingNode>(Assert.Single(Sequence(pod, "containers")));
            var env = Sequence(container, "env").Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name")!, e => Scalar(e, "value"), StringComparer.Ordinal);
            foreach (var name in env.Keys)
            {
                Assert.True(known.Contains(name), $"{Scalar(workload, "metadata", "name")}: environment variable {name} is read by nothing in the silo");
            }

            AssertTlsWiring(pod, container, env, everythingOn);
            var ports = Sequence(container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name")!, p => int.Parse(Scalar(p, "containerPort")!, CultureInfo.InvariantCulture), StringComparer.Ordinal);
            Assert.Equal(ports["silo"], int.Parse(env[EnvName(ClusterHostingOptions.SectionName, nameof(ClusterHostingOptions.SiloPort))]!, CultureInfo.InvariantCulture));
            Assert.Equal(ports["gateway"], int.Parse(env[EnvName(ClusterHostingOptions.SectionName, nameof(ClusterHostingOptions.GatewayPort))]!, CultureInfo.InvariantCulture));
            Assert.Equal(ports["http"], int.Parse(env[EnvName(SiloHttpOptions.SectionName, nameof(SiloHttpOptions.Port))]!, CultureInfo.InvariantCulture));
            Assert.Equal("0.0.0.0", env[EnvName(SiloHttpOptions.SectionName, nameof(SiloHttpOptions.BindAddress))]);
            foreach (var downward in new[] { KubernetesEnvironment.PodIp, KubernetesEnvironment.PodName })
            {
                Assert.True(env.ContainsKey(downward), $"{downward} is not passed from the downward API");
            }

            Assert.Equal(SiloHttpOptions.LivenessPath, Scalar(container, "livenessProbe", "httpGet", "path"));
            Assert.Equal(SiloHttpOptions.LivenessPath, Scalar(container, "startupProbe", "httpGet", "path"));
            Assert.Equal(SiloHttpOptions.ReadinessPath, Scalar(container, "readinessProbe", "httpGet", "path"));
            foreach (var probe in new[] { "livenessProbe", "startupProbe", "readinessProbe" })
            {
                Assert.Equal("http", Scalar(container, probe, "httpGet", "port"));
            }

            var grace = int.Parse(env[EnvName(DrainOptions.SectionName, nameof(DrainOptions.GracePeriodSeconds))]!, CultureInfo.InvariantCulture);
            var termination = int.Parse(Scalar(pod, "terminationGracePeriodSeconds")!, CultureInfo.InvariantCulture);
            Assert.True(termination >= grace + DrainOptions.OrleansShutdown.TotalSeconds, $"terminationGracePeriodSeconds {termination} does not cover the drain ({grace} s) plus Orleans' shutdown");
            Assert.True(Node(pod, "securityContext") is not null && Scalar(pod, "securityContext", "runAsNonRoot") == "true", "silo pods must run as non-root");

            var annotations = Node(workload, "spec", "template", "metadata", "annotations") as YamlMappingNode;
            if (annotations is not null && Scalar(annotations, "prometheus.io/scrape") == "true")
            {
                Assert.Equal(SiloHttpOptions.MetricsPath, Scalar(annotations, "prometheus.io/path"));
                Assert.Equal(ports["http"].ToString(CultureInfo.InvariantCulture), Scalar(annotations, "prometheus.io/port"));
            }

            if (Scalar(workload, "kind") == "StatefulSet")
            {
                var devices = env[EnvName("PrunerCluster", nameof(PrunerClusterSiloOptions.DeviceCount))];
                Assert.Equal("cuda", env[EnvName("PrunerCluster", nameof(PrunerClusterSiloOptions.DeviceKind))]);
                Assert.Equal(devices, Scalar(container, "resources", "limits", "nvidia.com/gpu"));
                Assert.Equal(devices, Scalar(container, "resources", "requests", "nvidia.com/gpu"));
            }
            else
            {
                Assert.Equal("0", env[EnvName("PrunerCluster", nameof(PrunerClusterSiloOptions.DeviceCount))]);
            }
        }

        var jobs = documents.Where(d => Scalar(d, "kind") == "Job").ToList();
        var schemaInit = Assert.Single(jobs, j => Scalar(j, "metadata", "name")!.EndsWith("-schema-init", StringComparison.Ordinal));
        Assert.NotNull(Scalar(schemaInit, "metadata", "annotations", "helm.sh/hook"));
        var initContainer = (YamlMappingNode)Sequence(Node(schemaInit, "spec", "template", "spec")!, "containers").Single();
        Assert.Equal(new[] { "db", "init" }, Sequence(initContainer, "args").Select(a => ((YamlScalarNode)a).Value!));
        foreach (var job in jobs)
        {
            foreach (var container in Sequence(Node(job, "spec", "template", "spec")!, "containers").Cast<YamlMappingNode>())
            {
                foreach (var name in Sequence(container, "env").Cast<YamlMappingNode>().Select(e => Scalar(e, "name")!))
                {
                    Assert.True(known.Contains(name), $"{Scalar(job, "metadata", "name")}: environment variable {name} is read by nothing");
                }
            }
        }
    }

    [Fact]
    public void With_device_kind_cpu_the_silos_run_the_cpu_image_on_one_cpu_device_and_request_no_gpu()
    {
        var values = LoadValues();
        Set(values, ".silo.deviceKind", "cpu");
        var silo = Assert.Single(RenderAll(values), d => Scalar(d, "kind") == "StatefulSet" && Scalar(d, "metadata", "name")!.EndsWith("-silo", StringComparison.Ordinal));
        var container = (YamlMappingNode)Sequence(Node(silo, "spec", "template", "spec")!, "containers").Single();
        var env = Sequence(container, "env").Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name")!, e => Scalar(e, "value"), StringComparer.Ordinal);
        Assert.Equal("cpu", env[EnvName("PrunerCluster", nameof(PrunerClusterSiloOptions.DeviceKind))]);
        Assert.Equal("1", env[EnvName("PrunerCluster", nameof(PrunerClusterSiloOptions.DeviceCount))]);
        Lookup(values, ".image.cpuRepository", out var repository);
        Lookup(values, ".image.tag", out var tag);
        Assert.Equal($"{repository}:{tag}", Scalar(container, "image"));
        Assert.DoesNotContain("nvidia.com/gpu", Node(container, "resources")!.AllNodes.OfType<YamlScalarNode>().Select(n => n.Value));
    }

    [Fact]
    public void Named_clients_limits_reach_every_silo_as_a_settings_file_that_binds_to_the_submission_limits()
    {
        var values = LoadValues();
        Set(values, ".coordinators.enabled", "true");
        Assert.DoesNotContain(RenderAll(values), d => Scalar(d, "kind") == "ConfigMap" && Scalar(d, "metadata", "name")!.EndsWith("-limits", StringComparison.Ordinal));

        var nightly = new YamlMappingNode { { "client", "CN=nightly, O=lab" }, { "maxActiveExperiments", "4" }, { "maxEvaluations", "20000" } };
        var guest = new YamlMappingNode { { "client", "guest" }, { "maxPopulation", "16" } };
        Set(values, ".limits.clients", new YamlSequenceNode(nightly, guest));
        var documents = RenderAll(values);
        var map = Assert.Single(documents, d => Scalar(d, "kind") == "ConfigMap" && Scalar(d, "metadata", "name")!.EndsWith("-limits", StringComparison.Ordinal));
        var json = Scalar(map, "data", "client-limits.json")!;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        var limits = new ConfigurationBuilder().AddJsonStream(stream).Build()
            .GetSection(SubmissionLimits.SectionName).Get<SubmissionLimits>()!;
        Assert.Equal(["CN=nightly, O=lab", "guest"], limits.Clients.Select(c => c.Client));
        Assert.Equal(4, limits.Clients[0].MaxActiveExperiments);
        Assert.Equal(20_000, limits.Clients[0].MaxEvaluations);
        Assert.Null(limits.Clients[0].MaxPopulation);
        Assert.Equal(16, limits.Clients[1].MaxPopulation);

        var workloads = documents.Where(d => Scalar(d, "kind") is "StatefulSet" or "Deployment").ToList();
        Assert.Equal(2, workloads.Count);
        foreach (var workload in workloads)
        {
            var pod = Node(workload, "spec", "template", "spec")!;
            var container = (YamlMappingNode)Sequence(pod, "containers").Single();
            var env = Sequence(container, "env").Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name")!, e => Scalar(e, "value"), StringComparer.Ordinal);
            var volume = Assert.Single(Sequence(pod, "volumes").Cast<YamlMappingNode>(), v => Scalar(v, "configMap", "name") == Scalar(map, "metadata", "name"));
            var mount = Assert.Single(Sequence(container, "volumeMounts").Cast<YamlMappingNode>(), m => Scalar(m, "name") == Scalar(volume, "name"));
            Assert.Equal(Scalar(mount, "mountPath") + "/client-limits.json", env[KubernetesEnvironment.SettingsFile]);
        }
    }

    /// <summary>
    /// Environment variables the silo and CLI read: every bindable property of their options sections
    /// (Section__Property, as .NET configuration maps them), and the constants of <see cref="KubernetesEnvironment"/>.
    /// </summary>
    /// <summary>With tls.enabled, the silo reads its three PEM files from the Secret's volume; without it, nothing of TLS is rendered.</summary>
    private static void AssertTlsWiring(YamlNode pod, YamlMappingNode container, Dictionary<string, string?> env, bool enabled)
    {
        var volume = Sequence(pod, "volumes").Cast<YamlMappingNode>().SingleOrDefault(v => Scalar(v, "name") == "tls");
        var mount = Sequence(container, "volumeMounts").Cast<YamlMappingNode>().SingleOrDefault(v => Scalar(v, "name") == "tls");
        if (!enabled)
        {
            Assert.Null(volume);
            Assert.DoesNotContain(env.Keys, k => k.StartsWith("PrunerCluster__Tls__", StringComparison.Ordinal));
            return;
        }

        Assert.Equal("prunercluster-tls", Scalar(volume!, "secret", "secretName"));
        Assert.Equal("true", env[EnvName(TlsHostingOptions.SectionName, nameof(TlsHostingOptions.Enabled))]);
        foreach (var (property, file) in new[] { (nameof(TlsHostingOptions.CertificatePath), "tls.crt"), (nameof(TlsHostingOptions.KeyPath), "tls.key"), (nameof(TlsHostingOptions.CaPath), "ca.crt") })
        {
            Assert.Equal(Scalar(mount!, "mountPath") + "/" + file, env[EnvName(TlsHostingOptions.SectionName, property)]);
        }
    }

    private static HashSet<string> KnownEnvironmentVariables()
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (section, type) in new[]
        {
            ("PrunerCluster", typeof(PrunerClusterSiloOptions)),
            (ClusterHostingOptions.SectionName, typeof(ClusterHostingOptions)),
            (SiloHttpOptions.SectionName, typeof(SiloHttpOptions)),
            (DrainOptions.SectionName, typeof(DrainOptions)),
            (TlsHostingOptions.SectionName, typeof(TlsHostingOptions)),
            ("PrunerCluster:TorchSharp", typeof(TorchSharpBackendOptions)),
            (SubmissionLimits.SectionName, typeof(SubmissionLimits)),
            (SubmissionLimits.SectionName + ":PerClient", typeof(ClientLimits)),
        })
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                known.Add(EnvName(section, property.Name));
            }
        }

        foreach (var field in typeof(KubernetesEnvironment).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            known.Add((string)field.GetRawConstantValue()!);
        }

        // The client in the submit Job reads its mutual-TLS files from these.
        known.UnionWith([PrunerCluster.Client.Security.MutualTlsClient.CertificateVariable, PrunerCluster.Client.Security.MutualTlsClient.KeyVariable, PrunerCluster.Client.Security.MutualTlsClient.CaVariable]);

        // The CLI in the Jobs reads its connection string from this one.
        known.Add(PrunerCluster.Storage.Postgres.PostgresOptions.EnvironmentVariable);

        // The bundled trial PostgreSQL reads its own variables.
        known.UnionWith(["POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "PGDATA"]);
        return known;
    }

    private static string EnvName(string section, string property) => section.Replace(":", "__", StringComparison.Ordinal) + "__" + property;

    private static IEnumerable<string> Leaves(YamlMappingNode node, string prefix)
    {
        foreach (var (key, child) in node.Children)
        {
            var path = prefix + "." + ((YamlScalarNode)key).Value;
            yield return path;
            if (child is YamlMappingNode mapping)
            {
                foreach (var leaf in Leaves(mapping, path))
                {
                    yield return leaf;
                }
            }
        }
    }

    /// <summary>True when the schema declares <paramref name="dottedPath"/>, or a free-form object (no properties) above it.</summary>
    private static bool SchemaHas(JsonElement schema, string dottedPath)
    {
        var node = schema;
        foreach (var part in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!node.TryGetProperty("properties", out var properties))
            {
                return node.TryGetProperty("type", out var type) && type.GetString() == "object";
            }

            if (!properties.TryGetProperty(part, out node))
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> SchemaPaths(JsonElement schema, string prefix)
    {
        if (!schema.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var path = prefix + "." + property.Name;
            yield return path;
            foreach (var child in SchemaPaths(property.Value, path))
            {
                yield return child;
            }
        }
    }
}
