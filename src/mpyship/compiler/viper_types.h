// Viper's value types (@micropython.viper): the numbering the runtime's conversion functions take, the
// names mpy-cross's ViperTypeError messages use, and the annotation names that select them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mpyship::compiler {

// The low values are the runtime's native type codes (the `type` argument of the conversions between
// objects and machine values); the others exist only while compiling.
enum class VType : std::uint8_t {
    object = 0,
    bool_ = 1,
    int_ = 2,
    uint = 3,
    ptr = 4,
    ptr8 = 5,
    ptr16 = 6,
    ptr32 = 7,
    none = 0x10,    // the None constant, before it becomes an object
    unbound = 0x11, // a local whose type is not known yet
    cast = 0x12,    // one of the cast built-ins (int, uint, bool, ptr*), loaded as a function
};

std::string_view vtype_name(VType t);
// The type an annotation names (int, uint, bool, object, ptr, ptr8, ptr16, ptr32); none for others.
std::optional<VType> vtype_from_name(std::string_view name);

// The type code a machine value is converted to an object with: for None, a value not typed yet and a
// cast built-in the reference passes its own compile-time codes (None measured: 0x54, the value 0).
inline std::uint64_t conversion_code(VType t) {
    switch (t) {
    case VType::none:
        return 0x54;
    case VType::unbound:
        return 0x60;
    case VType::cast:
        return 0x70;
    default:
        return std::uint64_t(t);
    }
}
// A machine value the runtime's conversion turns into an object where one is stored.
inline bool is_convertible(VType t) {
    return (t >= VType::bool_ && t <= VType::ptr32) || t == VType::none;
}

inline bool is_ptr(VType t) {
    return t >= VType::ptr && t <= VType::ptr32;
}
// Bytes of one element of a pointer type; ptr addresses machine words.
inline int ptr_element_size(VType t) {
    return t == VType::ptr8 ? 1 : t == VType::ptr16 ? 2 : t == VType::ptr32 ? 4 : 8;
}

} // namespace mpyship::compiler
