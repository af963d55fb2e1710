// Test classes run in parallel; they share one Azurite and one maildev and isolate by unique names.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, MaxParallelThreads = 4)]
