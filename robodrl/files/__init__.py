"""What robodrl reads and writes on disk: crash-safe writes and output folders that never replace
a user's files (:mod:`~robodrl.files.atomic`), per-user signed manifests and verified private
copies (:mod:`~robodrl.files.signing`), strict YAML (:mod:`~robodrl.files.yamlio`)."""
