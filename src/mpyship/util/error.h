// The error type returned across I/O boundaries (std::expected<T, Error>).
// An Error carries a human message and, where it applies, the file it concerns; the CLI layer
// decides how to print it and which exit code to use.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace mpyship {

struct Error {
    std::string message;
    std::string path;  // file the error concerns, empty when none
    int sys_errno = 0; // the errno behind an I/O failure, 0 when none

    static Error at(std::string path, std::string message) {
        return Error{std::move(message), std::move(path)};
    }
    std::string to_string() const { return path.empty() ? message : path + ": " + message; }
};

template <typename T> using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message, std::string path = {}, int sys_errno = 0) {
    return std::unexpected(Error{std::move(message), std::move(path), sys_errno});
}

} // namespace mpyship
