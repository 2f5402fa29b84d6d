R = const() f"{"
