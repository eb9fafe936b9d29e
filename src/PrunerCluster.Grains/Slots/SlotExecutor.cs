using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains.Slots;

/// <summary>
/// This silo's evaluation slots: one dedicated thread per slot (each bound to a device) draining one bounded queue. At
/// most <see cref="Slots"/> evaluations run at once, always off the Orleans scheduler; results return through tasks
/// whose continuations run asynchronously, so a grain awaiting one resumes on its own scheduler.
/// </summary>
public sealed partial class SlotExecutor : IDisposable
{
    private readonly BlockingCollection<WorkItem>? _queue;
    private readonly Thread[] _threads;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _time;
    private readonly ILogger<SlotExecutor> _logger;
    private readonly PrunerClusterSiloOptions _options;
    private int _running;
    private int _queued;
    private int _peakRunning;
    private long _completed;
    private long _busyTicks;

    public SlotExecutor(IOptions<PrunerClusterSiloOptions> options, ILocalSiloDetails localSilo, TimeProvider time, ILogger<SlotExecutor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(localSilo);
        _options = options.Value;
        SiloName = localSilo.SiloAddress.ToParsableString();
        _time = time;
        _logger = logger;
        Slots = _options.Slots;
        _threads = new Thread[Slots];
        if (Slots == 0)
        {
            return;
        }

        _queue = new BlockingCollection<WorkItem>(new ConcurrentQueue<WorkItem>(), Slots + _options.QueueCapacity);
        for (var i = 0; i < Slots; i++)
        {
            var slot = i;
            _threads[i] = new Thread(() => RunSlot(slot))
            {
                IsBackground = true,
                Name = FormattableString.Invariant($"prunercluster-slot-{slot}"),
            };
            _threads[i].Start();
        }
    }

    public int Slots { get; }

    public int Running => Volatile.Read(ref _running);

    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Most evaluations ever observed running at once (never exceeds <see cref="Slots"/>).</summary>
    public int PeakRunning => Volatile.Read(ref _peakRunning);

    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Sum over slots of the time spent running evaluations.</summary>
    public TimeSpan BusyTime => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    /// <summary>Parsable address of this silo.</summary>
    public string SiloName { get; }

    /// <summary>Queues work for a slot thread; false when this silo has no slots or its queue is full.</summary>
    public bool TryEnqueue<T>(Func<SlotContext, CancellationToken, T> work, CancellationToken cancellationToken, out Task<T> result)
    {
        ArgumentNullException.ThrowIfNull(work);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        result = completion.Task;
        if (_queue is null || _stopping.IsCancellationRequested)
        {
            return false;
        }

        var item = new WorkItem(
            (slot, token) =>
            {
                try
                {
                    completion.TrySetResult(work(slot, token));
                }
                catch (OperationCanceledException ex)
                {
                    completion.TrySetCanceled(ex.CancellationToken);
                }
                catch (Exception ex)
                {
                    completion.TrySetException(ex);
                }
            },
            _time.GetTimestamp(),
            cancellationToken);
        Interlocked.Increment(ref _queued);
        if (_queue.TryAdd(item))
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // The token source and queue stay undisposed: slot threads may still be finishing an evaluation with them.
        _stopping.Cancel();
        _queue?.CompleteAdding();
    }

    private void RunSlot(int slotIndex)
    {
        var token = _stopping.Token;
        try
        {
            foreach (var item in _queue!.GetConsumingEnumerable(token))
            {
                Interlocked.Decrement(ref _queued);
                Execute(slotIndex, item);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            LogSlotStopped(_logger, slotIndex);
        }
        catch (ObjectDisposedException)
        {
            LogSlotStopped(_logger, slotIndex);
        }
    }

    private void Execute(int slotIndex, WorkItem item)
    {
        var running = Interlocked.Increment(ref _running);
        UpdatePeak(running);
        var started = _time.GetTimestamp();
        PrunerClusterTelemetry.QueueWait.Record(_time.GetElapsedTime(item.EnqueuedAt, started).TotalSeconds);
        using var activity = PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivityEvaluate, ActivityKind.Internal);
        activity?.SetTag("prunercluster.slot", slotIndex);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.CancellationToken, _stopping.Token);
            var context = new SlotContext(slotIndex, _options.DeviceKind, _options.DeviceName(slotIndex), SiloName);
            item.Run(context, linked.Token);
        }
        finally
        {
            var elapsed = _time.GetElapsedTime(started);
            Interlocked.Add(ref _busyTicks, elapsed.Ticks);
            Interlocked.Increment(ref _completed);
            Interlocked.Decrement(ref _running);
            PrunerClusterTelemetry.Duration.Record(elapsed.TotalSeconds);
        }
    }

    private void UpdatePeak(int running)
    {
        var peak = Volatile.Read(ref _peakRunning);
        while (running > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakRunning, running, peak);
            if (seen == peak)
            {
                return;
            }

            peak = seen;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Slot thread {Slot} stopped.")]
    private static partial void LogSlotStopped(ILogger logger, int slot);

    private sealed record WorkItem(Action<SlotContext, CancellationToken> Run, long EnqueuedAt, CancellationToken CancellationToken);
}
