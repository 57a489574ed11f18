RSpec.describe "GET /health" do
  it "answers with the database it uses" do
    get "/health"
    expect(response).to have_http_status(:ok)
    expect(response.parsed_body["ok"]).to be(true)
    expect(response.parsed_body["database"]).to be_present
  end
end
