using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Training;

[Trait("Category", "Slow")]
public sealed class TeacherLogitsTests
{
    public TeacherLogitsTests() => TestSupport.Init();

    [Fact]
    public void Cached_logits_are_the_teachers_own_and_are_computed_once_per_dataset_and_teacher()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        var data = TestSupport.Synthetic(300, size: 16);
        var cached = TeacherLogits.For(teacher, data, "teacher-a");
        Assert.Equal(300, cached.Count);
        Assert.Equal(4, cached.Classes);
        Assert.Same(cached, TeacherLogits.For(teacher, data, "teacher-a"));
        Assert.NotSame(cached, TeacherLogits.For(teacher, data, "teacher-b"));
        Assert.True(teacher.training, "the teacher's mode is restored");

        int[] positions = [299, 0, 17, 256];
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        teacher.eval();
        var (x, _) = data.GetBatch(positions, torch.CPU);
        var direct = teacher.call(x);
        var fromCache = cached.Batch(positions, torch.CPU);
        Assert.True(torch.allclose(direct, fromCache, rtol: 1e-4, atol: 1e-5), "cached rows equal the teacher's logits for the same samples");
        Assert.Throws<ArgumentOutOfRangeException>(() => cached.Batch([300], torch.CPU));
    }

    [Fact]
    public void Distilling_from_cached_logits_trains_as_distilling_from_the_model()
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
        var cached = Loss(new Teacher(null, TeacherLogits.For(teacher, data, "teacher")));
        using var plain = ModelZoo.Create("lenet5", 1, 16, 4, 2);
        var withoutTeacher = Trainer.Train(plain, data, options).MeanLoss;
        Assert.Equal(online, cached, 3);
        Assert.NotEqual(withoutTeacher, cached, 3);
    }

    [Fact]
    public void A_cancelled_pass_is_not_cached()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        var data = TestSupport.Synthetic(64, size: 16);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => TeacherLogits.For(teacher, data, "t", ct: cancelled.Token));
        Assert.Equal(64, TeacherLogits.For(teacher, data, "t").Count);
    }

    [Fact]
    public void Logits_of_another_dataset_are_refused()
    {
        using var teacher = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        using var student = ModelZoo.Create("lenet5", 1, 16, 4, 2);
        var logits = TeacherLogits.For(teacher, TestSupport.Synthetic(40, size: 16), "t");
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(student, TestSupport.Synthetic(50, size: 16), new FineTuneOptions { Steps = 2, DistillationWeight = 0.5 }, new Teacher(null, logits)));
        Assert.Contains("40 samples", e.Message, StringComparison.Ordinal);
    }
}
