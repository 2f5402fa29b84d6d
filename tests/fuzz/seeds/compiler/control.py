def find(items, want):
    for i, x in enumerate(items):
        try:
            if x == want:
                return i
        except ValueError:
            continue
        finally:
            pass
    while False:
        break
    return -1
