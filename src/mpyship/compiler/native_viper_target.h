// What the viper emitter needs from an architecture beyond the native emitter's NativeTarget: viper's
// own prologue (arguments checked and converted to their annotated types, no code state), integer
// arithmetic, comparisons and shifts done in registers, and loads and stores through pointers.
#pragma once

#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/viper_types.h"

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
    std::uint32_t n_state = 0;     // locals + stack slots
    std::uint32_t frame_words = 0; // what the prologue reserves below the saved registers
    std::uint32_t fun_table_const = 0;
    std::vector<VType> arg_types; // per positional argument
    bool guards_globals = false;  // switches to the module's globals (nlr-protected), as native code does
    bool needs_fun = false;       // keeps the function object (for constants): a two-word code state
};

enum class ViperArith : std::uint8_t { add, sub, mul, and_, or_, xor_ };
enum class ViperShift : std::uint8_t { shl, sar, shr };
// The comparison a setcc tests after `cmp lhs, rhs`, signed or unsigned.
enum class ViperCmp : std::uint8_t { lt, gt, eq, le, ge, ne };

class ViperTarget : public NativeTarget {
  public:
    virtual void viper_prologue(const ViperFrame& frame) = 0;
    virtual void call_viper(ViperFun fun) = 0;
    virtual void arith(ViperArith op, NativeReg dst, NativeReg src) = 0; // dst = dst op src
    virtual void shift_by_cl(ViperShift op, NativeReg dst) = 0;          // the count is in rcx
    virtual void negate(NativeReg r, bool invert) = 0;                   // r = -r, or r = ~r
    virtual NativeReg shift_count_reg() const = 0;
    virtual void compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) = 0;
    virtual void jump_if_ret(bool nonzero, std::uint32_t label) = 0; // on the whole return register
    // Loads zero-extend a 1-, 2- or 4-byte element; stores write the low bytes of `src`.
    virtual void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) = 0;
    virtual void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) = 0;
};

} // namespace mpyship::compiler
