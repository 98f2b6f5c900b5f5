// File helpers. Every file a user cares about is written atomically: into a
// temporary file beside the target, flushed to disk, then renamed over it, so
// a crash leaves either the old file or the new one, never half of one.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "marketlm/core/status.h"

namespace marketlm {

// Reads a whole file. Errors name the path and the OS reason.
Result<std::string> read_file(const std::string& path);

// Writes `data` to `path` atomically (temp file, fsync, rename, fsync dir).
Status write_file_atomic(const std::string& path, std::string_view data);

// Streaming version for large outputs: write() pieces, then commit().
// Destroying an uncommitted writer removes the temporary file.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  Status open(const std::string& path);
  Status write(const void* data, size_t bytes);
  Status write(std::string_view s) { return write(s.data(), s.size()); }
  Status commit();

 private:
  std::string path_, tmp_path_;
  std::FILE* file_ = nullptr;
};

// Creates a directory and its parents; ok if it exists.
Status make_dirs(const std::string& path);

}  // namespace marketlm
