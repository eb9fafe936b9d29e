using System.Text;
using YamlDotNet.RepresentationModel;
using static PrunerCluster.Engine.Tests.Helm.YamlPaths;

namespace PrunerCluster.Engine.Tests.Helm;

/// <summary>
/// Turns rendered chart documents into what podman 4.3's <c>kube play</c> runs (helm/prunercluster/README.md, "The chart
/// under podman kube play", lists each rule and why):
/// StatefulSet: one Pod per replica named <c>NAME-i</c> as Kubernetes names them, its volumeClaimTemplates as emptyDir
/// volumes; a StatefulSet of one replica whose serviceName is a rendered Service is one Pod named as that Service (pods
/// find each other by pod name on a podman network). Job: one Pod named as the Job, with the Job's restartPolicy.
/// Service: dropped (no kube-proxy; named pods stand in). PodDisruptionBudget: dropped (nothing evicts pods here).
/// Secret: taken out, to be created as a podman secret (a JSON object of base64 values) before <c>kube play</c>.
/// Every container: the downward API's <c>status.podIP</c> and <c>metadata.namespace</c> dropped, which podman refuses
/// (a silo then advertises its host name's address, which is the pod's; podman has no namespaces); <c>ports</c> dropped,
/// since podman 4.3 publishes every containerPort on the host (two silo pods then clash on 8080; every port stays
/// reachable on the pod's IP), and the probes' named ports replaced by their numbers. Pod, Deployment and ConfigMap documents pass through.
/// </summary>
internal static class KubePlayTranslation
{
    private static readonly string[] UnsupportedFieldPaths = ["status.podIP", "metadata.namespace"];

    public static KubePlayManifest Translate(IReadOnlyList<YamlMappingNode> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var services = documents.Where(d => Scalar(d, "kind") == "Service").Select(d => Scalar(d, "metadata", "name")!).ToHashSet(StringComparer.Ordinal);
        var secrets = new SortedDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var configMaps = new List<YamlMappingNode>();
        var workloads = new List<YamlMappingNode>();
        foreach (var document in documents)
        {
            var kind = Scalar(document, "kind");
            var name = Scalar(document, "metadata", "name") ?? "(no name)";
            switch (kind)
            {
                case "Service" or "PodDisruptionBudget":
                    break;
                case "Secret":
                    secrets[name] = SecretValues(document);
                    break;
                case "ConfigMap":
                    configMaps.Add(document);
                    break;
                case "StatefulSet":
                    workloads.AddRange(StatefulSetPods(document, services));
                    break;
                case "Job":
                    workloads.Add(Pod(name, Node(document, "spec", "template")!, []));
                    break;
                case "Pod" or "Deployment":
                    workloads.Add(document);
                    break;
                default:
                    throw new NotSupportedException($"document {name}: kind '{kind}' has no podman kube play translation (expected Pod, Deployment, StatefulSet, Job, Service, ConfigMap, Secret or PodDisruptionBudget)");
            }
        }

        foreach (var workload in workloads)
        {
            var spec = Scalar(workload, "kind") == "Pod" ? Node(workload, "spec") : Node(workload, "spec", "template", "spec");
            foreach (var container in Sequence(spec!, "containers").Concat(Sequence(spec!, "initContainers")).Cast<YamlMappingNode>())
            {
                DropUnsupportedFieldRefs(container);
                DropPorts(container);
            }
        }

        var pods = workloads.Where(w => Scalar(w, "kind") == "Pod").Select(w => Scalar(w, "metadata", "name")!).ToList();
        var volumes = configMaps.Select(c => Scalar(c, "metadata", "name")!).ToList();
        return new KubePlayManifest(YamlDocuments.Write(configMaps.Concat(workloads)), secrets, pods, volumes);
    }

    private static List<YamlMappingNode> StatefulSetPods(YamlMappingNode set, HashSet<string> services)
    {
        var name = Scalar(set, "metadata", "name")!;
        var replicas = int.Parse(Scalar(set, "spec", "replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var serviceName = Scalar(set, "spec", "serviceName");
        var claims = Sequence(Node(set, "spec")!, "volumeClaimTemplates").Select(c => Scalar(c, "metadata", "name")!).ToList();
        var template = Node(set, "spec", "template")!;
        if (replicas == 1 && serviceName is not null && services.Contains(serviceName))
        {
            return [Pod(serviceName, template, claims)];
        }

        return Enumerable.Range(0, replicas).Select(i => Pod($"{name}-{i}", template, claims)).ToList();
    }

    private static YamlMappingNode Pod(string name, YamlNode template, List<string> emptyDirVolumes)
    {
        var metadata = new YamlMappingNode { { "name", name } };
        foreach (var key in new[] { "labels", "annotations" })
        {
            if (Node(template, "metadata", key) is YamlMappingNode { Children.Count: > 0 } map)
            {
                metadata.Add(key, map);
            }
        }

        var spec = new YamlMappingNode();
        foreach (var (key, value) in ((YamlMappingNode)Node(template, "spec")!).Children)
        {
            spec.Add(key, key is YamlScalarNode { Value: "containers" or "initContainers" } ? CopyContainers((YamlSequenceNode)value) : value);
        }

        if (emptyDirVolumes.Count > 0)
        {
            if (Node(spec, "volumes") is not YamlSequenceNode volumes)
            {
                volumes = new YamlSequenceNode();
                spec.Children[new YamlScalarNode("volumes")] = volumes;
            }

            foreach (var volume in emptyDirVolumes)
            {
                volumes.Add(new YamlMappingNode { { "name", volume }, { "emptyDir", new YamlMappingNode() } });
            }
        }

        return new YamlMappingNode { { "apiVersion", "v1" }, { "kind", "Pod" }, { "metadata", metadata }, { "spec", spec } };
    }

    /// <summary>Each pod gets its own container mappings, so dropping an entry from one pod's env leaves the others alone.</summary>
    private static YamlSequenceNode CopyContainers(YamlSequenceNode containers) =>
        new(containers.Children.Cast<YamlMappingNode>().Select(c => (YamlNode)new YamlMappingNode(c.Children.Select(kv =>
            new KeyValuePair<YamlNode, YamlNode>(kv.Key, kv.Value is YamlSequenceNode list ? new YamlSequenceNode(list.Children) : kv.Value)))));

    private static void DropUnsupportedFieldRefs(YamlMappingNode container)
    {
        if (Node(container, "env") is YamlSequenceNode env)
        {
            foreach (var entry in env.Children.Where(e => UnsupportedFieldPaths.Contains(Scalar(e, "valueFrom", "fieldRef", "fieldPath"))).ToList())
            {
                env.Children.Remove(entry);
            }
        }
    }

    private static void DropPorts(YamlMappingNode container)
    {
        var ports = Sequence(container, "ports").Where(p => Scalar(p, "name") is not null).ToDictionary(p => Scalar(p, "name")!, p => Scalar(p, "containerPort")!, StringComparer.Ordinal);
        container.Children.Remove(new YamlScalarNode("ports"));
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            foreach (var handler in new[] { "httpGet", "tcpSocket" })
            {
                if (Node(container, probe, handler) is YamlMappingNode action && Scalar(action, "port") is { } port && ports.TryGetValue(port, out var number))
                {
                    action.Children[new YamlScalarNode("port")] = new YamlScalarNode(number);
                }
            }
        }
    }

    private static Dictionary<string, string> SecretValues(YamlMappingNode secret)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, encoded) in new[] { ("stringData", false), ("data", true) })
        {
            if (Node(secret, key) is YamlMappingNode map)
            {
                foreach (var (k, v) in map.Children)
                {
                    var text = ((YamlScalarNode)v).Value ?? "";
                    values[((YamlScalarNode)k).Value!] = encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : text;
                }
            }
        }

        return values;
    }
}
