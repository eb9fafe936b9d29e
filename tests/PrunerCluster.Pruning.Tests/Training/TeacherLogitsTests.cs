using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Training;

[Trait("Category", "Slow")]
public sealed class TeacherLogitsTests
{
    public TeacherLogitsTests() => TestSupport.Init();

    [Fact]
    public void Logits_are_the_teachers_own_computed_once_per_chunk_and_shared_per_data_teacher_and_seed()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        teacher.eval();
        var data = TestSupport.Synthetic(700, size: 16);
        var cache = new TeacherLogitsCache();
        var shared = cache.For(data, "teacher-a", orderSeed: 5)!;
        Assert.Same(shared, cache.For(data, "teacher-a", 5));
        Assert.NotSame(shared, cache.For(data, "teacher-b", 5));
        Assert.NotSame(shared, cache.For(data, "teacher-a", 6));
        Assert.NotSame(shared, new TeacherLogitsCache().For(data, "teacher-a", 5));
        Assert.Equal(0, shared.ComputedSamples);
        var cleared = new TeacherLogitsCache();
        var before = cleared.For(data, "teacher-a", 5);
        cleared.Clear();
        Assert.NotSame(before, cleared.For(data, "teacher-a", 5));

        int[] positions = [699, 0, 17, 256];
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var (x, _) = data.GetBatch(positions, torch.CPU);
        var direct = teacher.call(x);
        var fromCache = shared.Batch(positions, torch.CPU, teacher, out var computed);
        Assert.True(torch.allclose(direct, fromCache, rtol: 1e-4, atol: 1e-5), "cached rows equal the teacher's logits for the same samples");
        Assert.True(computed is >= TeacherLogits.ChunkSize and <= 700, $"whole chunks are computed ({computed})");
        Assert.Equal(computed, shared.ComputedSamples);

        shared.Batch(positions, torch.CPU, teacher: null, out var again);
        Assert.Equal(0, again);
        Assert.Throws<ArgumentOutOfRangeException>(() => shared.Batch([700], torch.CPU, teacher, out _));
    }

    [Fact]
    public void A_short_fine_tuning_computes_only_the_chunks_its_steps_read()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        using var student = ModelZoo.Create("lenet5", 1, 16, 4, 2);
        var data = TestSupport.Synthetic(2000, size: 16);
        var logits = new TeacherLogitsCache().For(data, "t", orderSeed: 3)!;

        var outcome = Trainer.Train(student, data, new FineTuneOptions { Steps = 4, BatchSize = 32, DistillationWeight = 0.5, Seed = 3 }, new Teacher(teacher, logits));

        Assert.Equal(TeacherLogits.ChunkSize, outcome.TeacherSamples);
        Assert.Equal(TeacherLogits.ChunkSize, logits.ComputedSamples);
    }

    [Fact]
    public void The_logits_are_the_same_bits_whichever_order_the_chunks_are_filled_in()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        teacher.eval();
        var data = TestSupport.Synthetic(600, size: 16);
        var forward = new TeacherLogitsCache().For(data, "t", 9)!;
        var backward = new TeacherLogitsCache().For(data, "t", 9)!;
        var all = Enumerable.Range(0, 600).ToArray();

        using var scope = torch.NewDisposeScope();
        foreach (var p in all)
        {
            forward.Batch([p], torch.CPU, teacher, out _);
        }

        foreach (var p in all.Reverse())
        {
            backward.Batch([p], torch.CPU, teacher, out _);
        }

        var a = forward.Batch(all, torch.CPU, null, out _).data<float>().ToArray();
        var b = backward.Batch(all, torch.CPU, null, out _).data<float>().ToArray();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Distilling_from_shared_logits_trains_as_distilling_from_the_model()
    {
        var data = TestSupport.Synthetic(200, size: 16);
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        var options = new FineTuneOptions { Steps = 12, BatchSize = 16, DistillationWeight = 0.5, Seed = 3 };

        double Loss(Teacher source)
        {
            using var student = ModelZoo.Create("lenet5", 1, 16, 4, 2);
            return Trainer.Train(student, data, options, source).MeanLoss;
        }

        var online = Loss(new Teacher(teacher, null));
        var shared = Loss(new Teacher(teacher, new TeacherLogitsCache().For(data, "teacher", 3)));
        using var plain = ModelZoo.Create("lenet5", 1, 16, 4, 2);
        var withoutTeacher = Trainer.Train(plain, data, options).MeanLoss;
        Assert.Equal(online, shared, 3);
        Assert.NotEqual(withoutTeacher, shared, 3);
    }

    [Fact]
    public void A_cancelled_fill_leaves_its_chunk_for_the_next_reader()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        teacher.eval();
        var logits = new TeacherLogitsCache().For(TestSupport.Synthetic(64, size: 16), "t", 1)!;
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        using var scope = torch.NewDisposeScope();
        Assert.Throws<OperationCanceledException>(() => logits.Batch([3], torch.CPU, teacher, out _, cancelled.Token));
        Assert.Equal(0, logits.ComputedSamples);
        Assert.Throws<InvalidOperationException>(() => logits.Batch([3], torch.CPU, null, out _));
        logits.Batch([3], torch.CPU, teacher, out var computed);
        Assert.Equal(64, computed);
    }

    [Fact]
    public void Logits_of_another_dataset_are_refused()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        using var student = ModelZoo.Create("lenet5", 1, 16, 4, 2);
        var logits = new TeacherLogitsCache().For(TestSupport.Synthetic(40, size: 16), "t", 1);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(student, TestSupport.Synthetic(50, size: 16), new FineTuneOptions { Steps = 2, DistillationWeight = 0.5 }, new Teacher(teacher, logits)));
        Assert.Contains("40 samples", e.Message, StringComparison.Ordinal);
    }
}
