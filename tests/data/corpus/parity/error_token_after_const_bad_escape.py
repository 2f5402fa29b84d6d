R = const() '\U00110000'
