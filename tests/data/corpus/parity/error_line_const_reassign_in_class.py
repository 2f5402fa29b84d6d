with i:_C=const(3)
class C:
 _C=()
