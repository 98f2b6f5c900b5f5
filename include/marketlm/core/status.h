// Status and Result<T>: marketlm's error type for expected failures
// (bad file, bad config, bad request, bad data row). Broken invariants use
// ML_CHECK (check.h) instead. No exceptions cross library boundaries.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace marketlm {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a bad value from the caller: flag, config field, request
  kNotFound,         // a file, model directory, user or item that does not exist
  kDataError,        // malformed input data: a corrupt file, a bad row
  kIoError,          // the OS refused a read or write
  kOutOfRange,       // a length or index past a limit (e.g. prompt longer than n_ctx)
  kResourceExhausted,// not enough memory for the request
  kFailedPrecondition,  // the state does not allow it (e.g. NaN loss)
  kUnimplemented,
  kInternal,
  kCancelled,
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>"
  std::string to_string() const;
  // Returns a copy with "context: " put before the message.
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status data_error(std::string m) { return {StatusCode::kDataError, std::move(m)}; }
inline Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status out_of_range(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status resource_exhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T>: either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).is_ok() && "Result built from an ok Status");
  }

  bool is_ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const {
    static const Status kOkStatus;
    return is_ok() ? kOkStatus : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace marketlm

#define ML_CONCAT_INNER_(a, b) a##b
#define ML_CONCAT_(a, b) ML_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function when expr is not ok.
#define ML_RETURN_IF_ERROR(expr)                       \
  do {                                                 \
    ::marketlm::Status ml_status_ = (expr);            \
    if (!ml_status_.is_ok()) return ml_status_;        \
  } while (0)

// ML_ASSIGN_OR_RETURN(auto x, f()): binds the value or returns the error.
#define ML_ASSIGN_OR_RETURN(lhs, expr) \
  ML_ASSIGN_OR_RETURN_IMPL_(ML_CONCAT_(ml_result_, __LINE__), lhs, expr)
#define ML_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.is_ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
