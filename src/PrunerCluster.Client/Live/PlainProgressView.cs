using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Live;

/// <summary>
/// For output that is not a terminal: a timestamped line when something countable changes, else one every 30 s, and each
/// note of the experiment (its input normalisation, data warnings) once, when it first appears.
/// </summary>
public sealed class PlainProgressView(TextWriter output, TimeProvider time) : IProgressView
{
    public async Task<ExperimentStatus> RunAsync(Func<CancellationToken, Task<ProgressSnapshot>> poll, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poll);
        (ExperimentState, int, int, int, int, int)? last = null;
        var lastPrinted = DateTimeOffset.MinValue;
        var notesShown = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var snapshot = await poll(cancellationToken).ConfigureAwait(false);
            var s = snapshot.Status;
            var key = (s.State, s.Evaluated, s.Failed, s.InFlight, s.ParetoSize, s.RecoveryDone);
            var now = time.GetLocalNow();
            foreach (var note in s.Errors.Where(ExperimentStatus.IsNote).Where(notesShown.Add))
            {
                output.WriteLine(now.ToString("HH:mm:ss ", CultureInfo.InvariantCulture) + "note: " + note);
            }

            if (key != last || now - lastPrinted >= TimeSpan.FromSeconds(30))
            {
                output.WriteLine(now.ToString("HH:mm:ss ", CultureInfo.InvariantCulture) + ProgressText.Line(snapshot));
                last = key;
                lastPrinted = now;
            }

            if (s.State.IsTerminal())
            {
                return s;
            }

            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
