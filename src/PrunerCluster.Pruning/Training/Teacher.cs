using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Training;

/// <summary>What a distilled fine-tuning learns from: the unpruned model, and its logits over the training set when they are cached.</summary>
public sealed record Teacher(ZooModel? Model, TeacherLogits? Logits);
