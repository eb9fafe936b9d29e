using System.Runtime.CompilerServices;

namespace PrunerCluster.Tests.Shared;

/// <summary>
/// Test processes (and the silo and tool processes they start, which inherit the environment) run convolutions on
/// libtorch's native kernels unless PRUNERCLUSTER_ONEDNN is set: oneDNN returns sporadic NaNs on some hosts (see
/// ConvolutionBackend), and a test that compares two trainings must not see one of them switch kernels half-way.
/// </summary>
internal static class NativeConvolutions
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PRUNERCLUSTER_ONEDNN")))
        {
            Environment.SetEnvironmentVariable("PRUNERCLUSTER_ONEDNN", "off");
        }
    }
}
