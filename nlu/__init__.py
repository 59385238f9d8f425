"""Bokbot's language understanding, bokmål and English: training data (`nlu/data`), the pure
normalisers for hours, money, dates, periods and identifiers, language detection, and the
Rasa components that run them inside the Rasa server (`nlu.components`)."""
