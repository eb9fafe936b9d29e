using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// The teachers' logits a host keeps (<see cref="PruningHostServices.Teachers"/>): one <see cref="TeacherLogits"/> per
/// training set, teacher and sample-order seed, filled on demand by the fine-tunings that use it and dropped with its data set.
/// </summary>
public sealed class TeacherLogitsCache
{
    private readonly ConditionalWeakTable<ImageDataset, ConcurrentDictionary<(string Teacher, ulong Seed), TeacherLogits>> byData = [];

    /// <summary>
    /// The shared logits of the teacher identified by <paramref name="teacherKey"/> (e.g. its checkpoint's content hash) over
    /// <paramref name="data"/>, chunked along the sample order of <paramref name="orderSeed"/>; null when they are too large to cache.
    /// </summary>
    public TeacherLogits? For(ImageDataset data, string teacherKey, ulong orderSeed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(teacherKey);
        if (!TeacherLogits.Fits(data))
        {
            return null;
        }

        var byTeacher = byData.GetValue(data, _ => new ConcurrentDictionary<(string, ulong), TeacherLogits>());
        return byTeacher.GetOrAdd((teacherKey, orderSeed), _ => new TeacherLogits(data, orderSeed));
    }

    /// <summary>
    /// Drops every teacher's logits, so the next distilled fine-tuning fills (and is charged for) what it reads; the
    /// quality benchmark clears it between arms so that no arm reads logits another arm paid for.
    /// </summary>
    public void Clear() => byData.Clear();
}
