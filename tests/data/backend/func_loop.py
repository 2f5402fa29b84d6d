def total(items, scale=2, *rest, key=None, **opts):
    acc = 0
    for it in items:
        if it > 100:
            acc += it * scale + it * scale + it * scale + it * scale + it * scale + it * scale + it * scale
            acc += it * scale + it * scale + it * scale + it * scale + it * scale + it * scale + it * scale
            acc += it * scale + it * scale + it * scale + it * scale + it * scale + it * scale + it * scale
            acc += it * scale + it * scale + it * scale + it * scale + it * scale + it * scale + it * scale
            acc += it * scale + it * scale + it * scale + it * scale + it * scale + it * scale + it * scale
        else:
            break
    while acc < 1000:
        acc = acc + 1
    return acc.bit_length(key, x=acc)
print(total([1, 2, 3]))
