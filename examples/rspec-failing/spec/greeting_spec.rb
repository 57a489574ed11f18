RSpec.describe "Greeting" do
  it "greets by name" do
    expect("Hello, #{'Ada'}!").to eq("Hello, Ada!")
  end

  it "upcases a shout" do
    expect("hey".upcase).to eq("HEY")
  end
end
