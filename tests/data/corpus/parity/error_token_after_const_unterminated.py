R = const() "abc
