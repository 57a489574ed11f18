# The code under test of the example project.
class Calculator
  def add(a, b)
    a + b
  end

  def divide(a, b)
    a / b
  end
end
