"""Summary statistics, written the long way."""


def variance(values):
    n = len(values)
    if n < 2:
        return 0.0
    mean = sum(values) / n
    return sum((v - mean) ** 2 for v in values) / (n - 1)


if __name__ == "__main__":
    print(variance([3, 1, 4, 1, 5, 9, 2, 6]))
