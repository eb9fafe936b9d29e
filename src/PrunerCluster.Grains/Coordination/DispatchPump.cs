namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Runs dispatch passes one at a time: a request while a pass runs (a result, a freed slot, a timer tick) is not lost but
/// makes the running pump do one more pass, so the activation's interleaving never runs two passes at once.
/// </summary>
public sealed class DispatchPump(Func<Task> passOnce)
{
    private bool _pumping;
    private bool _again;

    public bool IsPumping => _pumping;

    /// <summary>Asks the running (or next) pump for one more pass.</summary>
    public void RequestPass() => _again = true;

    public async Task RunAsync()
    {
        if (_pumping)
        {
            _again = true;
            return;
        }

        _pumping = true;
        try
        {
            do
            {
                _again = false;
                await passOnce();
            }
            while (_again);
        }
        finally
        {
            _pumping = false;
        }
    }
}
