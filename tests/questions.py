"""Questions about the seeds, written by us, to calibrate and test the extractive answerer.

ANSWERABLE: (question, article id, a phrase of the sentence that answers it).
UNANSWERABLE: questions the five seed articles do not answer, some sharing words with them.
"""

A000, A001, A002, A003, A004 = (
    "000_034f697b5977993f", "001_0d32418ab5275926", "002_971d02bb5b681a9b", "003_2d514171d15b0da3", "004_4e425b7157766a74")

ANSWERABLE = [
    ("Why is Iran disappointed with Russia?", A003, "disappointment with Moscow"),
    ("Who is Henry Rohm?", A004, "Henry Rohm, an Iranian analyst"),
    ("What did Sergey Mardan say on Russian state radio?", A001, "Sergey Mardan"),
    ("Which fighter jets is Russia expected to provide to Iran?", A001, "SU-35"),
    ("What did Behrouz Esbati say Russian fighter jets targeted?", A000, "open fields"),
    ("Who said that Russia is the embodiment of evil?", A000, "embodiment of evil"),
    ("What did Heshmatollah Falahatpisheh remark?", A000, "Falahatpisheh"),
    ("When did Russia join the war in Syria?", A002, "Russia joined the war in 2015"),
    ("Who is Mohammad Bagheri?", A002, "Bagheri"),
    ("When will the joint Russia-Iran military commissions meet?", A002, "next three months"),
    ("What did Seyed Mohammad Sadr claim about Russia and Israel?", A003, "Russia provided intelligence to Israel"),
    ("What is the Expediency Council?", A003, "Expediency Council"),
    ("How many generals appointed by Xi have been dismissed?", A003, "17.7 percent"),
    ("What happened to Qin Gang?", A003, "Qin"),
    ("What did the Turkish Foreign Ministry say about Netanyahu's comments?", A003, "politicizing history"),
    ("When did Netanyahu make his statement about the Armenian genocide?", A003, "August 26"),
    ("How many Armenians perished?", A003, "1.5 million Armenians perished"),
    ("What deal did Gazprom sign with the Iranian Oil Company?", A004, "$40 billion"),
    ("Where is Iran training Russian drone operators?", A004, "Crimea"),
    ("What did Ray Takei say about conspiracy theory?", A004, "conspiracy theory"),
    ("What did Maria Zakharova do?", A001, "Zakharova"),
    ("What did Vasily Nebenzya say about the Iranian attack?", A001, "Nebenzya"),
    ("Where did Russia establish a production facility for arms?", A001, "Tatarstan"),
    ("Why did Iran turn to China for air defense?", A003, "China"),
    ("What did Dmitry Peskov say about assistance to Tehran?", A003, "Peskov"),
    ("What did Russia agree to sell to Turkey?", A003, "S-400 systems to Turkey"),
    ("Who did Putin meet in July?", A004, "Putin met with Iran"),
    ("What did Khamenei ban earlier this year?", A002, "Covid vaccines"),
    ("Which strategy does Khamenei want Iran to pursue?", A002, "Eastern strategy"),
    ("What did Iran supply Russia with in recent years?", A000, "drones"),
    ("Who replaced Qin Gang as foreign minister?", A003, "Wang Yi"),
]

UNANSWERABLE = [
    "What is the population of Brazil?",
    "Who won the 2018 FIFA World Cup?",
    "What is the capital of Australia?",
    "How do I bake sourdough bread?",
    "What is the boiling point of water at sea level?",
    "Who wrote Pride and Prejudice?",
    "What did Putin say about climate change?",
    "How much does a Tesla Model 3 cost?",
    "What is the inflation rate in Japan?",
    "Who is the president of Brazil?",
    "What did Emmanuel Macron say about Iran?",
    "What is the GDP of Germany?",
    "When was the Eiffel Tower built?",
    "How many moons does Jupiter have?",
    "What did the Pope say about Russia?",
    "What is the weather forecast for Tehran tomorrow?",
    "Which football club does Putin support?",
    "What is Bitcoin's price?",
    "Who directed the film Inception?",
    "What vaccine did India export to Iran?",
    "What did Henry Rohm say about Brazil?",
    "What did Rohm say about airplanes?",
    "Is Russia a reliable ally of Iran?",
    # every word is in the articles, but no sentence answers: a mention is not an answer
    "What did Khamenei say about Turkey?",
    "What did Netanyahu say about China?",
    "What did Putin say about Armenia?",
    "What did Henry Rohm say about Saudi Arabia?",
    "What did Sadr say about China?",
]
