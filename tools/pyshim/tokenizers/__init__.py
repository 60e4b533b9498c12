# Import-only stand-in: transformers' ggml integration imports these names; nothing here tokenizes.
import types
Tokenizer = AddedToken = Regex = Encoding = object
decoders = normalizers = pre_tokenizers = processors = trainers = types.SimpleNamespace()
