BPE = Unigram = WordPiece = object
