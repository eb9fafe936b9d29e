using System.Net;
using System.Net.Sockets;

namespace PrunerCluster.Engine.Hosting;

internal static class FreePorts
{
    /// <summary>Distinct loopback TCP ports that were free a moment ago (the OS picks them).</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var l in listeners)
            {
                l.Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var l in listeners)
            {
                l.Stop();
            }
        }
    }
}
