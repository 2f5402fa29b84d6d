x = [1, $]
R = const()
