from micropython import const
R = const(x) ?
