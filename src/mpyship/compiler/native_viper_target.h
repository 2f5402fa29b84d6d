// What the viper emitter needs from an architecture beyond the native emitter's NativeTarget: viper's
// own prologue (arguments checked and converted to their annotated types, no code state), integer
// arithmetic, comparisons and shifts done in registers, and loads and stores through pointers.
#pragma once

#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/viper_types.h"

#include <optional>
#include <vector>

namespace mpyship::compiler {

// Runtime function-table entries only viper code calls (indices found by reading mpy-cross's calls).
enum class ViperFun : std::uint8_t {
    convert_obj_to_native = 3,
    convert_native_to_obj = 4,
    arg_check_num_sig = 44,
    small_int_floor_divide = 46,
    small_int_modulo = 47,
};

struct ViperFrame {
    std::uint32_t n_state = 0;      // locals + stack slots
    std::uint32_t state_words = 0;  // the slots the frame holds (not those of locals kept in registers)
    std::uint32_t fun_table_const = 0;
    std::vector<VType> arg_types; // per positional argument
    bool guards_globals = false;  // switches to the module's globals (nlr-protected), as native code does
    bool needs_fun = false;       // keeps the function object (for constants): a two-word code state
    // try/with: the native emitter's exception dispatcher (NativeFrame::has_handlers); the globals are
    // switched and every local, arguments too, lives in its state slot
    bool has_handlers = false;
};

// Shifts are arithmetic too on targets whose shifts take the count from any register.
enum class ViperArith : std::uint8_t { add, sub, mul, and_, or_, xor_, shl, sar, shr };
// The comparison the result is set by after `cmp lhs, rhs`, signed or unsigned.
enum class ViperCmp : std::uint8_t { lt, gt, eq, le, ge, ne };

// An architecture's viper code generator: the viper-only operations. native() is the same object seen as
// the native emitter's target (registers, moves, calls, state slots, jumps, epilogue), which the viper
// target of an architecture derives from.
class ViperTarget {
  public:
    virtual ~ViperTarget() = default;
    virtual NativeTarget& native() = 0;
    virtual void viper_prologue(const ViperFrame& frame) = 0;
    virtual void call_viper(ViperFun fun) = 0;
    virtual void arith(ViperArith op, NativeReg dst, NativeReg src) = 0; // dst = dst op src
    // x64 shifts by cl: the count goes to this register and the value is shifted in the return register
    // (shift_by_count). Other targets return nothing and shift with arith().
    virtual std::optional<NativeReg> shift_count_reg() const { return std::nullopt; }
    virtual void shift_by_count(ViperArith /*op*/, NativeReg /*dst*/) {}
    virtual void negate(NativeReg r, bool invert) = 0; // r = -r, or r = ~r
    virtual void compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) = 0;
    virtual void jump_if_ret(bool nonzero, std::uint32_t label) = 0; // on the whole return register
    // Loads zero-extend a 1-, 2- or 4-byte element; stores write the low bytes of `src`. The indexed
    // forms address element `index` (a register) of `base`, and may change `base`.
    virtual void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) = 0;
    virtual void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) = 0;
    virtual void load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) = 0;
    virtual void store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) = 0;
    // x64 stores from the third argument register whatever register the value is in; others store from
    // where it is.
    virtual bool store_value_fixed() const { return false; }
};

} // namespace mpyship::compiler
