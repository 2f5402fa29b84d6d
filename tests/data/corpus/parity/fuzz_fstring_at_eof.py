try:
  try:
   if (* 1):
    [] = {( f if 0xFF else 1 +~5): value,}
   if -b(n,'\\' if ( 's1') else {ta}):
    [{x['''line'''](b"q"b'p2') for const in x} for (y, *A) in ef (onst if onst else lambda r="paces":f_ffff)]
  finally: [ fr"{x!r}"
