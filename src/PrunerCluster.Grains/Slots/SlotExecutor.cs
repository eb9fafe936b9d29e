using System.Collections.Concurrent;
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
    private readonly int[] _busyBySlot;
    private volatile bool _draining;
    private int _running;
    private int _queued;
    private int _outstanding;
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
        _busyBySlot = new int[Slots];
        SlotGauges.Register(this);
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

    /// <summary>True once <see cref="Drain"/> ran: no work is taken any more.</summary>
    public bool IsDraining => _draining;

    /// <summary>True while every slot thread is alive (a dead one means this silo can no longer evaluate).</summary>
    public bool SlotThreadsAlive => _stopping.IsCancellationRequested || _threads.All(t => t.IsAlive);

    /// <summary>Busy and total slots per device (e.g. "cpu", "cuda:0"), for the slot gauges.</summary>
    public IReadOnlyList<DeviceSlots> ByDevice()
    {
        var devices = new List<DeviceSlots>();
        for (var slot = 0; slot < Slots; slot++)
        {
            var name = _options.DeviceName(slot);
            var index = devices.FindIndex(d => d.Device == name);
            var busy = Volatile.Read(ref _busyBySlot[slot]);
            if (index < 0)
            {
                devices.Add(new DeviceSlots(name, busy, 1));
            }
            else
            {
                devices[index] = devices[index] with { Busy = devices[index].Busy + busy, Total = devices[index].Total + 1 };
            }
        }

        return devices;
    }

    /// <summary>
    /// Stops taking work and hands every queued, unstarted evaluation back: its task fails with
    /// <see cref="SlotHandedBackException"/> at once, so its caller can re-issue it elsewhere. Running evaluations go on.
    /// Returns how many were handed back.
    /// </summary>
    public int Drain()
    {
        _draining = true;
        var handedBack = 0;
        while (_queue is not null && _queue.TryTake(out var item))
        {
            Interlocked.Decrement(ref _queued);
            HandBack(item);
            handedBack++;
        }

        return handedBack;
    }

    /// <summary>Evaluations accepted here whose result is not yet delivered (running, queued, or being persisted and reported).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Counts <paramref name="delivery"/> (an accepted evaluation up to its result being reported) until it ends.</summary>
    public void TrackDelivery(Task delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        Interlocked.Increment(ref _outstanding);
        delivery.ContinueWith(_ => Interlocked.Decrement(ref _outstanding), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Waits until every evaluation accepted here has run and delivered its result, at most <paramref name="grace"/>;
    /// true when all did.
    /// </summary>
    public async Task<bool> WaitForOutstandingAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp();
        while (Running > 0 || Queued > 0 || Outstanding > 0)
        {
            if (_time.GetElapsedTime(deadline) >= grace)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Queues work for a slot thread; false when this silo has no slots or its queue is full.</summary>
    public bool TryEnqueue<T>(Func<SlotContext, CancellationToken, T> work, CancellationToken cancellationToken, out Task<T> result)
    {
        ArgumentNullException.ThrowIfNull(work);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        result = completion.Task;
        if (_queue is null || _stopping.IsCancellationRequested || _draining)
        {
            return false;
        }

        var item = new WorkItem(
            ex => completion.TrySetException(ex),
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
        SlotGauges.Unregister(this);
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
                if (_draining)
                {
                    HandBack(item);
                    continue;
                }

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
        Volatile.Write(ref _busyBySlot[slotIndex], 1);
        var started = _time.GetTimestamp();
        PrunerClusterTelemetry.QueueWait.Record(
            _time.GetElapsedTime(item.EnqueuedAt, started).TotalSeconds,
            new KeyValuePair<string, object?>(PrunerClusterTelemetry.AttributeSilo, SiloName));
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
            Volatile.Write(ref _busyBySlot[slotIndex], 0);
        }
    }

    private void HandBack(WorkItem item)
    {
        PrunerClusterTelemetry.HandedBack.Add(1, new KeyValuePair<string, object?>(PrunerClusterTelemetry.AttributeSilo, SiloName));
        item.Abandon(new SlotHandedBackException($"Silo {SiloName} is draining and handed the queued evaluation back unstarted."));
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

    public sealed record DeviceSlots(string Device, int Busy, int Total);

    private sealed record WorkItem(Action<Exception> Abandon, Action<SlotContext, CancellationToken> Run, long EnqueuedAt, CancellationToken CancellationToken);
}
