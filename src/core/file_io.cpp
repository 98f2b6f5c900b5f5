#include "marketlm/core/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace marketlm {

namespace {
std::string os_reason() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
  auto p = std::filesystem::path(path).parent_path();
  return p.empty() ? std::string(".") : p.string();
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}
}  // namespace

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return invalid_argument("'" + path + "' is a directory, expected a file");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT) return not_found("cannot open '" + path + "': no such file");
    return io_error("cannot open '" + path + "': " + os_reason());
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) return io_error("read error in '" + path + "'");
  return out;
}

AtomicFileWriter::~AtomicFileWriter() {
  if (file_) {
    std::fclose(file_);
    std::remove(tmp_path_.c_str());
  }
}

Status AtomicFileWriter::open(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  path_ = path;
  tmp_path_ = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  file_ = std::fopen(tmp_path_.c_str(), "wb");
  if (!file_) return io_error("cannot create '" + tmp_path_ + "': " + os_reason());
  return Status::ok();
}

Status AtomicFileWriter::write(const void* data, size_t bytes) {
  if (!file_) return failed_precondition("write to '" + path_ + "' before open()");
  if (bytes && std::fwrite(data, 1, bytes, file_) != bytes) {
    return io_error("cannot write '" + tmp_path_ + "': " + os_reason());
  }
  return Status::ok();
}

Status AtomicFileWriter::commit() {
  if (!file_) return failed_precondition("commit of '" + path_ + "' before open()");
  bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  std::string reason = ok ? "" : os_reason();
  std::fclose(file_);
  file_ = nullptr;
  if (!ok) {
    std::remove(tmp_path_.c_str());
    return io_error("cannot flush '" + tmp_path_ + "': " + reason);
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    reason = os_reason();
    std::remove(tmp_path_.c_str());
    return io_error("cannot rename '" + tmp_path_ + "' to '" + path_ + "': " + reason);
  }
  fsync_dir(parent_dir(path_));
  return Status::ok();
}

Status write_file_atomic(const std::string& path, std::string_view data) {
  AtomicFileWriter w;
  ML_RETURN_IF_ERROR(w.open(path));
  ML_RETURN_IF_ERROR(w.write(data));
  return w.commit();
}

Status make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return io_error("cannot create directory '" + path + "': " + ec.message());
  return Status::ok();
}

}  // namespace marketlm
